-- Reserved for 003_scan_config; filled by the change that adds its tables.
SELECT 1;
