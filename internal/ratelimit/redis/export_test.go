package redis

// LeaseCount returns the number of leases l holds.
func LeaseCount(l *Limiter) int { return l.leases.len() }
