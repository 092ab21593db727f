-- A title's rating aggregate is kept in a few counter rows per title (shards), each adjusted by the change one rating
-- makes (a new rating adds its stars and 1; a changed one adds the difference), so a rating costs the same whether
-- the title has ten ratings or a million and holds no title-wide lock. Raters pick a shard at random, so concurrent
-- raters of a hit title queue on different rows; the sum over a title's shards is its exact aggregate.
--
-- dirty_since marks shards changed since the aggregate was last published (content.rating_avg/rating_count and a
-- ContentRatingAggregated outbox event): the flusher publishes every dirty title at most once per interval.
-- content.rating_seq counts those publications (the read models' guard against an older aggregate), and
-- ratings.version counts changes of one user's rating (the graph's guard for its WATCHED edge). Existing ratings
-- start at their title's version, which is at least the version their edge carries from the old ContentRated events.

-- +goose Up
CREATE TABLE content_rating_shards (
    content_id  uuid        NOT NULL,
    shard       smallint    NOT NULL,
    stars_sum   bigint      NOT NULL DEFAULT 0,
    ratings     bigint      NOT NULL DEFAULT 0,
    dirty_since timestamptz,
    PRIMARY KEY (content_id, shard),
    -- No check on the sums: one shard may go below zero (a re-rating from 5 to 2 stars lands -3 on whichever shard
    -- it draws); only the sum over the title's shards is meaningful.
    CONSTRAINT content_rating_shards_content_id_fkey FOREIGN KEY (content_id) REFERENCES content (id)
);
CREATE INDEX content_rating_shards_dirty_idx ON content_rating_shards (content_id) WHERE dirty_since IS NOT NULL;

ALTER TABLE content ADD COLUMN rating_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE ratings ADD COLUMN version bigint NOT NULL DEFAULT 1;
UPDATE ratings r SET version = c.version FROM content c WHERE c.id = r.content_id;

-- Backfill: every rated title's whole aggregate in shard 0.
INSERT INTO content_rating_shards (content_id, shard, stars_sum, ratings)
SELECT content_id, 0, sum(stars), count(*) FROM ratings GROUP BY content_id;

-- +goose Down
ALTER TABLE ratings DROP COLUMN version;
ALTER TABLE content DROP COLUMN rating_seq;
DROP TABLE content_rating_shards;
