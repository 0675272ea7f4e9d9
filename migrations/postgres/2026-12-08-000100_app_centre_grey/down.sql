DROP TABLE ac_events;
