DROP TABLE departure_items;
DROP TABLE contact_departures;
ALTER TABLE space_orgs DROP COLUMN contact_id;
DROP TABLE seat_orders;
