-- One row per customer who saved preferences. The key is the pseudonym
-- HMAC-SHA256(secret, identity number) (preferences.Pseudonym): the number
-- itself is never stored. The value is the preferences' JSON, exactly what
-- preferences.Preferences holds, never case data.
CREATE TABLE preferences (
    pseudonym   bytea PRIMARY KEY CHECK (octet_length(pseudonym) = 32),
    preferences jsonb NOT NULL
);
