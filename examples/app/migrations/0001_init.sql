-- A link shortener: short links and their clicks.
CREATE TABLE links (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL,
  url TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE clicks (
  id INTEGER PRIMARY KEY,
  link_id INTEGER NOT NULL REFERENCES links (id),
  country TEXT,
  created_at INTEGER NOT NULL
);

CREATE INDEX clicks_link_created ON clicks (link_id, created_at);
