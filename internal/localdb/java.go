package localdb

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// MinJava is the oldest Java DynamoDB Local 3.x runs on.
const MinJava = 17

const installHint = "`make tools` installs it (Debian: apt-get install openjdk-17-jdk-headless)"

// java finds the java command: $JAVA_HOME/bin/java, else java on PATH, and
// checks that it is new enough.
func java(ctx context.Context) (string, error) {
	bin := ""
	if home := os.Getenv("JAVA_HOME"); home != "" {
		if p := filepath.Join(home, "bin", "java"); isFile(p) {
			bin = p
		}
	}
	if bin == "" {
		p, err := exec.LookPath("java")
		if err != nil {
			return "", fmt.Errorf("DynamoDB Local needs Java %d or newer and there is no java on PATH: %s", MinJava, installHint)
		}
		bin = p
	}
	out, err := exec.CommandContext(ctx, bin, "-version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s -version: %v: %s", bin, err, out)
	}
	major, ok := javaMajor(string(out))
	if !ok {
		return "", fmt.Errorf("cannot tell the version of %s from %q", bin, out)
	}
	if major < MinJava {
		return "", fmt.Errorf("DynamoDB Local needs Java %d or newer, %s is Java %d: %s", MinJava, bin, major, installHint)
	}
	return bin, nil
}

var javaVersion = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

// javaMajor reads the major version from `java -version`: "17.0.15" is 17,
// the old "1.8.0_392" is 8.
func javaMajor(out string) (int, bool) {
	m := javaVersion.FindStringSubmatch(out)
	if m == nil {
		return 0, false
	}
	major, _ := strconv.Atoi(m[1])
	if major == 1 && m[2] != "" {
		major, _ = strconv.Atoi(m[2])
	}
	return major, true
}

//go:embed Loopback.java
var loopbackSource []byte

// launcher compiles the loopback launcher next to the install once, with the
// javac beside java (a JDK), and answers the directory holding its class; ""
// when there is no javac (a JRE only): DynamoDB Local then runs from its jar
// and listens on every interface.
func launcher(ctx context.Context, javaBin string, inst Install) (string, error) {
	javac := filepath.Join(filepath.Dir(javaBin), "javac")
	if !isFile(javac) {
		p, err := exec.LookPath("javac")
		if err != nil {
			return "", nil
		}
		javac = p
	}
	sum := sha256.Sum256(loopbackSource)
	dir := filepath.Join(filepath.Dir(inst.Dir), "launcher-"+hex.EncodeToString(sum[:6]))
	if isFile(filepath.Join(dir, "Loopback.class")) {
		return dir, nil
	}
	unlock, err := lock(ctx, dir+".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if isFile(filepath.Join(dir, "Loopback.class")) {
		return dir, nil
	}
	staging := dir + ".partial"
	os.RemoveAll(staging)
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return "", err
	}
	src := filepath.Join(staging, "Loopback.java")
	if err := os.WriteFile(src, loopbackSource, 0o644); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, javac, "-nowarn", "-cp", inst.Jar()+string(os.PathListSeparator)+filepath.Join(inst.Lib(), "*"), "-d", staging, src)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(staging)
		return "", fmt.Errorf("compile the loopback launcher: %v: %s", err, out)
	}
	return dir, os.Rename(staging, dir)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
