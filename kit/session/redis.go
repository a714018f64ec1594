package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix namespaces the kit's keys in a shared Redis.
const DefaultRedisPrefix = "arendevy:session:"

// updateAttempts bounds the optimistic retries of Redis.Update when other
// requests of the same session write at the same moment.
const updateAttempts = 8

// Redis is a Store shared by many instances behind a load balancer. Each
// session is one JSON value whose Redis TTL is the session's remaining
// lifetime, so Redis itself drops sessions nobody logs out of.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// NewRedis returns a store on client; prefix "" means DefaultRedisPrefix.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	if prefix == "" {
		prefix = DefaultRedisPrefix
	}
	return &Redis{client: client, prefix: prefix}
}

func (s *Redis) redisKey(key string) string { return s.prefix + key }

// Load implements Store. An entry that does not decode is removed and
// reported as ErrNotFound: the user logs in again instead of being stuck.
func (s *Redis) Load(ctx context.Context, key string) (Data, error) {
	raw, err := s.client.Get(ctx, s.redisKey(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Data{}, ErrNotFound
	}
	if err != nil {
		return Data{}, fmt.Errorf("session: redis load: %w", err)
	}
	d, err := decode(raw)
	if err != nil {
		if derr := s.client.Del(ctx, s.redisKey(key)).Err(); derr != nil {
			return Data{}, fmt.Errorf("session: redis load: %w; removing it: %w", err, derr)
		}
		return Data{}, fmt.Errorf("%w: undecodable entry removed: %w", ErrNotFound, err)
	}
	return d, nil
}

// Save implements Store.
func (s *Redis) Save(ctx context.Context, key string, d Data, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("session: redis store: ttl %v must be positive", ttl)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("session: encode: %w", err)
	}
	if err := s.client.Set(ctx, s.redisKey(key), raw, ttl).Err(); err != nil {
		return fmt.Errorf("session: redis save: %w", err)
	}
	return nil
}

// Delete implements Store.
func (s *Redis) Delete(ctx context.Context, key string) error {
	if err := s.client.Del(ctx, s.redisKey(key)).Err(); err != nil {
		return fmt.Errorf("session: redis delete: %w", err)
	}
	return nil
}

// Update implements Store with WATCH/MULTI: a concurrent write or delete of
// the same session aborts the transaction, which is then retried on fresh
// data. SET XX makes sure a key that vanished is never recreated.
func (s *Redis) Update(ctx context.Context, key string, fn func(*Data) (time.Duration, error)) error {
	rk := s.redisKey(key)
	txn := func(tx *redis.Tx) error {
		raw, err := tx.Get(ctx, rk).Bytes()
		if errors.Is(err, redis.Nil) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("session: redis update: %w", err)
		}
		d, err := decode(raw)
		if err != nil {
			return fmt.Errorf("%w: undecodable entry: %w", ErrNotFound, err)
		}
		ttl, err := fn(&d)
		if err != nil {
			return err
		}
		if ttl <= 0 {
			return fmt.Errorf("session: redis store: ttl %v must be positive", ttl)
		}
		out, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("session: encode: %w", err)
		}
		cmds, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.SetArgs(ctx, rk, out, redis.SetArgs{Mode: "XX", TTL: ttl})
			return nil
		})
		if redis.HasErrorPrefix(err, "EXECABORT") && len(cmds) > 0 && cmds[0].Err() != nil {
			err = cmds[0].Err() // why the server refused to queue it (READONLY)
		}
		switch {
		case errors.Is(err, redis.Nil):
			return ErrNotFound
		case err != nil && !errors.Is(err, redis.TxFailedErr):
			return fmt.Errorf("session: redis update: %w", err)
		}
		return err
	}
	backoff := transientBackoff
	for conflicts := 0; conflicts < updateAttempts; {
		err := s.client.Watch(ctx, txn, rk)
		switch {
		case errors.Is(err, redis.TxFailedErr):
			conflicts++
			continue
		case transient(err) && backoff <= maxTransientBackoff:
			// go-redis retries single commands itself, never a WATCH
			// transaction: the primary went away (a failover) or is
			// read-only now; the transaction is safe to run again, on
			// fresh data.
			select {
			case <-ctx.Done():
				return err
			case <-time.After(backoff):
			}
			backoff *= 2
			continue
		}
		return err
	}
	return fmt.Errorf("session: redis update: %d concurrent writes in a row: %w", updateAttempts, redis.TxFailedErr)
}

// Update's waits after a transient error: 0.1 s doubling to 1.6 s, about
// 3 s in all, about what Sentinel takes to promote a replica.
const (
	transientBackoff    = 100 * time.Millisecond
	maxTransientBackoff = 1600 * time.Millisecond
)

// transient reports an error that another try may not meet: the
// connection broke, or the server is a replica now.
func transient(err error) bool {
	var ne net.Error
	return err != nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &ne) || redis.HasErrorPrefix(err, "READONLY") || redis.HasErrorPrefix(err, "LOADING"))
}

func decode(raw []byte) (Data, error) {
	var d Data
	if err := json.Unmarshal(raw, &d); err != nil {
		return Data{}, fmt.Errorf("session: decode: %w", err)
	}
	return d, nil
}
