// Package cluster runs the reference portal the way a bank or a large
// municipality does, on the real parts and on loopback only: several
// instances of the built binary behind HAProxy (health checks on /readyz,
// round robin, no stickiness), sessions and the SAML replay cache in Redis
// with Sentinel (one primary, one replica, three Sentinels), one shared
// session key file and SP key, and an identity provider (the development
// IdP) that every instance trusts. Start builds it in a temporary
// directory; Stop ends every process it started.
//
// The fault run (Run, `make cluster-faults`) drives logged-in clients
// through the balancer while it kills, drains and restarts instances, fails
// Redis over and breaks sources, and counts what the clients saw.
package cluster
