package crs

import "testing"

// ids are every rule Tollgate's managed groups use.
var ids = []int{913100, 930100, 930110, 930120, 930130, 931100, 934110, 941100, 941110, 941130, 941140, 941160, 941170,
	942100, 942140, 942151, 942160, 942170, 942190, 942220, 942230, 942240, 942250, 942270, 942280, 942290, 942320, 942350,
	942360, 942500, 942540, 942550, 942560, 944100, 944110, 944120, 944130, 944150}

func TestLoad(t *testing.T) {
	rules, err := Load(ids...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if len(r.Targets) == 0 || r.Paranoia != 1 {
			t.Errorf("rule %d: %d targets, paranoia %d", r.ID, len(r.Targets), r.Paranoia)
		}
	}
	if _, err := Load(1); err == nil {
		t.Error("Load of an unknown rule succeeded")
	}
}

func TestRules(t *testing.T) {
	var bufs [2][]byte
	for _, tc := range []struct {
		id    int
		value string
		want  bool
	}{
		{913100, "sqlmap/1.7.2#stable (https://sqlmap.org)", true},
		{913100, "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", false},
		{930110, "../../etc/passwd", true},
		{930110, "docs/v1.2/index", false},
		{930120, "/etc/passwd", true},
		{930120, "hello world", false},
		{930130, "/.git/config", true},
		{930130, "/prod/pets", false},
		{931100, "http://10.0.0.1/x", true},
		{931100, "https://example.com/x", false},
		{934110, "http://169.254.169.254/latest/meta-data/", true},
		{941100, "<script>alert(1)</script>", true},
		{941110, "<script>alert(1)</script>", true},
		{941160, `<img src=x onerror=alert(1)>`, true},
		{941170, "javascript:alert(1)", true},
		{941100, "I like <b>bold</b> claims & more", false},
		{942100, "1' OR '1'='1", true},
		{942100, "O'Brien", false},
		{942270, "1 union select password from users", true},
		{942160, "sleep(5)", true},
		{942540, "admin';", true},
		{944100, "java.lang.Runtime", true},
		{944110, "Runtime.getRuntime().exec java.x", true},
		{944110, "Runtime", false},
		{944150, "${jndi:ldap://x/a}", true},
		{944150, "price in $ is 5", false},
		// 942130/942131 chain on their captures (TX:1 vs TX:2).
		{942130, "x' or 1=1", true},
		{942130, "a=b", false},
		{942131, "x' or 1<>2", true},
		{942131, "a != a", false},
		{942521, "x' or 1", true},
		{942521, "x' then 1", false},
	} {
		r := MustLoad(tc.id)[0]
		if got := r.Match(&bufs, []byte(tc.value)); got != tc.want {
			t.Errorf("rule %d on %q: %v, want %v", tc.id, tc.value, got, tc.want)
		}
	}
}

// TestEveryManagedRuleLoads loads each rule a managed rule group names at
// any sensitivity, so an unsupported CRS construct fails here and not at
// a web ACL's first compile.
func TestEveryManagedRuleLoads(t *testing.T) {
	if _, err := Load(942120, 942130, 942131, 942150, 942180, 942200, 942210, 942260, 942300, 942310, 942330, 942340,
		942361, 942362, 942370, 942380, 942390, 942400, 942410, 942470, 942480, 942430, 942440, 942450, 942510, 942511,
		942520, 942521, 942522); err != nil {
		t.Fatal(err)
	}
}

func TestMatcher(t *testing.T) {
	m := newMatcher([]string{"he", "she", "his", "hers", "Nikto"})
	for v, want := range map[string]bool{"ushers": true, "ahishe": true, "xyz": false, "h": false, "NIKTO scan": true, "nikt": false, "": false} {
		if got := m.match([]byte(v)); got != want {
			t.Errorf("match(%q) = %v", v, got)
		}
	}
}
