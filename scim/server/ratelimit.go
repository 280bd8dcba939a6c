package server

import (
	"math"
	"strconv"
	"sync"
	"time"
)

// maxBuckets bounds the rate limiter's memory: above it, buckets that
// have refilled completely are dropped, because they hold no state that a
// new bucket would not have.
const maxBuckets = 10000

// rateLimiter is a token bucket per credential: each bucket holds up to
// burst tokens, refills at rate tokens per second, and a request takes one.
type rateLimiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket. When the bucket is empty it
// returns false and the whole seconds until a token is back, for the
// Retry-After header.
func (l *rateLimiter) allow(key string) (retryAfter string, ok bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.dropFull(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return "", true
	}
	wait := math.Ceil((1 - b.tokens) / l.rate)
	return strconv.Itoa(max(1, int(wait))), false
}

// secondsText returns a Retry-After value as English text, such as
// "1 second" or "3 seconds".
func secondsText(retryAfter string) string {
	if retryAfter == "1" {
		return "1 second"
	}
	return retryAfter + " seconds"
}

// dropFull removes the buckets that would be full by now.
func (l *rateLimiter) dropFull(now time.Time) {
	for key, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, key)
		}
	}
}
