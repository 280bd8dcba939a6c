package code

import (
	"os/exec"
	"strings"
	"testing"
)

// TestTestdataCompiles checks with the real toolchains that the testdata
// files are valid code, so that the traps are real comments, strings and
// names rather than text a compiler would reject. Toolchains missing on
// the machine are skipped; TEMP in an argument is a temporary folder. Java files that import OkHttp or HttpClient,
// TypeScript and C# have no compiler here and are left out.
func TestTestdataCompiles(t *testing.T) {
	tests := []struct {
		name string
		tool string
		args []string
	}{
		{"go vet", "go", []string{"vet", "./testdata/go/pins.go", "./testdata/go/renamed.go"}},
		{"javac", "javac", []string{"-d", "TEMP", "testdata/java/Pins.java"}},
		{"node --check", "node", []string{"--check", "testdata/js/pins.js"}},
		{"python3 py_compile", "python3", []string{"-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", "testdata/python/pins.py", "TEMP/pins.pyc"}},
		{"ruby -c", "ruby", []string{"-c", "testdata/ruby/pins.rb"}},
		{"php -l", "php", []string{"-l", "testdata/php/pins.php"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin, err := exec.LookPath(tc.tool)
			if err != nil {
				t.Skipf("%s is not installed", tc.tool)
			}
			temp := t.TempDir()
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "TEMP", temp)
			}
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("%s %v: %v\n%s", tc.tool, args, err, out)
			}
		})
	}
}
