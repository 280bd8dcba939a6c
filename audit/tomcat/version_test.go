package tomcat

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"release as in help", "10.1", "10.1", false},
		{"major alone means .0", "9", "9.0", false},
		{"patch level dropped", "9.0.85", "9.0", false},
		{"8.5 accepted", "8.5.100", "8.5", false},
		{"Tomcat 7 rejected", "7", "", true},
		{"Tomcat 11 rejected", "11", "", true},
		{"word rejected", "banana", "", true},
		{"empty rejected", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVersion(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseVersion(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseVersion(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
