-- Reserved for 005_agents; filled by the change that adds its tables.
SELECT 1;
