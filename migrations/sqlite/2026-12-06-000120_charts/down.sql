DROP TABLE seat_usage_days;
DROP INDEX orders_provider_created;
