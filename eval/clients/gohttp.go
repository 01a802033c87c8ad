// gohttp.go: Go's net/http client, one GET (eval row go_nethttp).
package main

import (
	"net/http"
	"os"
	"time"
)

func main() {
	c := &http.Client{Timeout: 3 * time.Second}
	r, err := c.Get("http://" + os.Args[1] + "/some/path?q=1")
	if err == nil {
		r.Body.Close()
	}
}
