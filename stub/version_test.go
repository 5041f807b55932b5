package main

import "testing"

func TestCompareVersions(t *testing.T) {
	// Each version is older than the next (semver 2.0.0 section 11 example,
	// plus a leading v and long numbers).
	ordered := []string{
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "v1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "v1.2.0", "1.10.0", "2.0.0",
		"18446744073709551616.0.0",
	}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := compareVersions(ordered[i], ordered[j]); got != want {
				t.Errorf("compare(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	same := [][2]string{{"1.0.0+build.1", "1.0.0+build.2"}, {"v1.2.3", "1.2.3"}}
	for _, p := range same {
		if c := compareVersions(p[0], p[1]); c != 0 {
			t.Errorf("compare(%q, %q) = %d, want 0", p[0], p[1], c)
		}
	}
	// Not semver on either side: byte order.
	bytewise := [][2]string{{"2024.01", "2024.02"}, {"1.0", "1.0.0"}, {"ver1_000", "ver1_001"}, {"01.0.0", "1.0.0"}}
	for _, p := range bytewise {
		if c := compareVersions(p[0], p[1]); c != -1 {
			t.Errorf("compare(%q, %q) = %d, want -1 (byte order)", p[0], p[1], c)
		}
	}
}

func TestParseSemverRejects(t *testing.T) {
	for _, v := range []string{"1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b", "vv1.0.0", "1.0.0-a_b"} {
		if _, ok := parseSemver(v); ok {
			t.Errorf("parseSemver(%q) accepted", v)
		}
	}
}
