DROP TABLE unit_population;
