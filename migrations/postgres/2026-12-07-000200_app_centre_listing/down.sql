DROP INDEX ac_products_rank;
