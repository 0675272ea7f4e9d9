DROP TABLE seat_releases;
