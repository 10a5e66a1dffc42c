// Venues: one adapter file per venue.
