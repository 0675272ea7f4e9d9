DROP INDEX space_org_exits_row;
DROP TABLE space_org_exits;
