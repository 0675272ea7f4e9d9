DROP TABLE app_uses;
