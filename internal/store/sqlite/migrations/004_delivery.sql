-- Reserved for 004_delivery; filled by the change that adds its tables.
SELECT 1;
