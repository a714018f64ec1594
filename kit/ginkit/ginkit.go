// Package ginkit is the kit's adapter for portals built on gin: it mounts the
// kit's routes on a gin router and runs gin handlers behind the kit's login
// layer (security headers, CSRF, session → subject in the request context).
package ginkit

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/arendevy/arendevy/kit"
)

// Mount serves every route of the kit (API, login, assets, deep links) under
// its mount path on r.
func Mount(r gin.IRouter, k *kit.Kit) {
	r.Any(k.Mount()+"/*path", gin.WrapH(k.Handler()))
}

// Protect is gin middleware that runs the rest of the chain behind the kit's
// login layer. When the layer answers by itself (a refused CSRF check), the
// chain is aborted.
func Protect(k *kit.Kit) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		k.Protect(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r // carries the subject
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}
