package switchboard_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/switchboard/switchboard"

// relative answers a package's path in the module ("." for its root), false
// for a package of another module.
func relative(importPath string) (string, bool) {
	if importPath == module {
		return ".", true
	}
	return strings.CutPrefix(importPath, module+"/")
}

// layerOf places packages (paths relative to the module) in the layers of
// docs/layers.md.
type layerOf struct {
	exact  map[string]int
	folder map[string]int // "internal/store/..." → "internal/store"
}

// readLayers reads the table of docs/layers.md: a row per layer, its number
// first, the packages in backquotes.
func readLayers(t *testing.T) layerOf {
	t.Helper()
	f, err := os.Open("docs/layers.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile(`^\| (\d+) \|`)
	quoted := regexp.MustCompile("`([^`]+)`")
	l := layerOf{exact: map[string]int{}, folder: map[string]int{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		cells := strings.Split(sc.Text(), "|")
		for _, q := range quoted.FindAllStringSubmatch(cells[len(cells)-2], -1) {
			if dir, ok := strings.CutSuffix(q[1], "/..."); ok {
				l.folder[dir] = n
			} else {
				l.exact[q[1]] = n
			}
		}
	}
	if len(l.exact) == 0 {
		t.Fatal("docs/layers.md: no layers read")
	}
	return l
}

// of answers the layer of a package, 0 when none places it.
func (l layerOf) of(pkg string) int {
	if n, ok := l.exact[pkg]; ok {
		return n
	}
	best, layer := "", 0
	for dir, n := range l.folder {
		if (pkg == dir || strings.HasPrefix(pkg, dir+"/")) && len(dir) > len(best) {
			best, layer = dir, n
		}
	}
	return layer
}

type goPackage struct {
	ImportPath string
	GoFiles    []string
	Imports    []string
}

// modulePackages lists the module's packages with their non-test imports
// of the module, paths relative to it.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		path, ok := relative(p.ImportPath)
		if !ok || len(p.GoFiles) == 0 { // test-only packages
			continue
		}
		var imports []string
		for _, imp := range p.Imports {
			if rel, ok := relative(imp); ok {
				imports = append(imports, rel)
			}
		}
		pkgs[path] = imports
	}
	return pkgs
}

// TestLayers: every package is in a layer of docs/layers.md and imports
// nothing of a layer above its own; infra imports only data; a Lambda main
// only what builds its function.
func TestLayers(t *testing.T) {
	layers := readLayers(t)
	pkgs := modulePackages(t)
	mainMay := []string{"internal/function", "internal/wiring", "internal/registry", "internal/routes"}
	for _, pkg := range slices.Sorted(maps.Keys(pkgs)) {
		imports, own := pkgs[pkg], layers.of(pkg)
		if own == 0 {
			t.Errorf("package %s is in no layer of docs/layers.md: add it to the layer it belongs to", pkg)
			continue
		}
		for _, imp := range imports {
			switch their := layers.of(imp); {
			case their > own:
				t.Errorf("%s (layer %d) imports %s (layer %d): imports run down, never up (docs/layers.md)", pkg, own, imp, their)
			case pkg == "infra" && their != 1:
				t.Errorf("infra imports %s (layer %d): it reads data only, and links no runtime code", imp, their)
			case strings.HasPrefix(pkg, "functions/") && !slices.Contains(mainMay, imp) &&
				!(pkg == "functions/switch" && (imp == "internal/kmssign" || imp == "internal/token")):
				t.Errorf("main %s imports %s: a main builds its function through internal/function, nothing else", pkg, imp)
			}
		}
	}
}

// TestLayersCatchAnUpwardImport: the check above fails on what it is for.
func TestLayersCatchAnUpwardImport(t *testing.T) {
	layers := readLayers(t)
	for _, tc := range []struct{ pkg, imp string }{
		{"internal/store", "internal/httpapi"},
		{"internal/tenancy", "internal/store"},
		{"internal/registry", "internal/tenancy"},
		{"internal/httpapi", "internal/function"},
	} {
		if own, their := layers.of(tc.pkg), layers.of(tc.imp); own == 0 || their <= own {
			t.Errorf("%s (layer %d) importing %s (layer %d) would pass", tc.pkg, own, tc.imp, their)
		}
	}
	if layers.of("internal/store/schema") != 1 || layers.of("internal/store") != 3 || layers.of("internal/store/anything") != 3 {
		t.Errorf("internal/store/schema in layer %d, internal/store %d, a package below it %d: want 1, 3, 3",
			layers.of("internal/store/schema"), layers.of("internal/store"), layers.of("internal/store/anything"))
	}
}
