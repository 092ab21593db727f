-- A rating costs one row write, as any upsert of a row does: the title's aggregate is no longer adjusted by the
-- rating's own statement (00006's shard rows, each also an outbox event and a NOTIFY per rating) but by the
-- flusher, which folds the ratings changed since its last pass into the title's running sum and count.
--
-- ratings.pending marks a rating changed since the flusher last counted it; ratings.counted_stars is the stars the
-- title's aggregate counts for it (NULL: not counted yet). content.rating_sum and content.rating_count are the sum
-- and count of the counted stars, so the exact aggregate at any snapshot is theirs plus the pending ratings'
-- differences (stars - coalesce(counted_stars, 0); one more rating for each never counted).

-- +goose Up
ALTER TABLE ratings ADD COLUMN pending boolean NOT NULL DEFAULT false;
ALTER TABLE ratings ADD COLUMN counted_stars smallint;
ALTER TABLE content ADD COLUMN rating_sum bigint NOT NULL DEFAULT 0;
CREATE INDEX ratings_pending_idx ON ratings (content_id) WHERE pending;

-- Every rating as it stands is counted; what the shards held unpublished is published here.
UPDATE ratings SET counted_stars = stars;
UPDATE content c SET rating_sum = r.s, rating_count = r.n, rating_avg = round(r.s::numeric / r.n, 2),
    rating_seq = c.rating_seq + 1
FROM (SELECT content_id, sum(stars) s, count(*) n FROM ratings GROUP BY content_id) r
WHERE c.id = r.content_id AND (c.rating_sum, c.rating_count) IS DISTINCT FROM (r.s, r.n);
DROP TABLE content_rating_shards;

-- +goose Down
CREATE TABLE content_rating_shards (
    content_id  uuid        NOT NULL,
    shard       smallint    NOT NULL,
    stars_sum   bigint      NOT NULL DEFAULT 0,
    ratings     bigint      NOT NULL DEFAULT 0,
    dirty_since timestamptz,
    PRIMARY KEY (content_id, shard),
    CONSTRAINT content_rating_shards_content_id_fkey FOREIGN KEY (content_id) REFERENCES content (id)
);
CREATE INDEX content_rating_shards_dirty_idx ON content_rating_shards (content_id) WHERE dirty_since IS NOT NULL;
INSERT INTO content_rating_shards (content_id, shard, stars_sum, ratings)
SELECT content_id, 0, sum(stars), count(*) FROM ratings GROUP BY content_id;
DROP INDEX ratings_pending_idx;
ALTER TABLE content DROP COLUMN rating_sum;
ALTER TABLE ratings DROP COLUMN counted_stars;
ALTER TABLE ratings DROP COLUMN pending;
