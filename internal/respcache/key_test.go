package respcache

import "testing"

func TestKey(t *testing.T) {
	if got, want := Key("abc123", "GET", []string{"admin", ""}), "6:abc1233:GET5:admin0:"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	long := string(make([]byte, 1234))
	if got := Key(long, "", nil); got != "1234:"+long+"0:" {
		t.Errorf("Key with a long namespace = %q…", got[:10])
	}
	type args struct {
		ns, method string
		params     []string
	}
	cases := []args{
		{"a", "GET", []string{"b|c"}},
		{"a", "GET", []string{"a|b", "c"}},
		{"a", "GET", []string{"a", "b|c"}},
		{"a", "GET", []string{"a", "b", "c"}},
		{"a", "GET", nil},
		{"a", "GET", []string{""}},
		{"a", "GET", []string{"", ""}},
		{"a", "GETa", nil},
		{"aG", "ET", nil},
		{"a", "GET", []string{"1:x"}},
		{"a", "GET", []string{"1", "x"}},
		{"a", "POST", []string{"b|c"}},
		{"b", "GET", []string{"b|c"}},
		{"", "", nil},
		{"", "", []string{""}},
	}
	seen := map[string]args{}
	for _, c := range cases {
		k := Key(c.ns, c.method, c.params)
		if prev, dup := seen[k]; dup {
			t.Errorf("Key(%q) == Key(%q) == %q", c, prev, k)
		}
		seen[k] = c
	}
}

func TestKeyAllocs(t *testing.T) {
	params := []string{"admin", "sales"}
	if n := testing.AllocsPerRun(100, func() { _ = Key("r1", "GET", params) }); n > 1 {
		t.Errorf("Key allocates %v times, want 1", n)
	}
}
