DROP INDEX order_apps_order_status;
