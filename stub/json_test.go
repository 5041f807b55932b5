package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

// toStd converts the small parser's values to encoding/json's shapes.
func toStd(v any) any {
	switch v := v.(type) {
	case *jsonObject:
		m := map[string]any{}
		for _, mem := range v.members {
			m[mem.key] = toStd(mem.value)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toStd(e)
		}
		return out
	case jsonNumber:
		return json.Number(v)
	}
	return v
}

func stdDecode(s string) (any, error) {
	var v any
	d := json.NewDecoder(stringsReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errorf("trailing data")
	}
	return v, nil
}

func TestJSONMatchesEncodingJSON(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`,
		`{"s":"quote \" backslash \\ slash \/ \b\f\n\r\t \u00e9 \ud83d\ude00 é"}`,
		`{"n":[0,-1,1.5,2e10,-3.25E-3,9007199254740991]}`, " \n{ \"a\" : [ 1 , 2 ] } \t",
	}
	for _, doc := range docs {
		got, err := parseJSON(doc)
		if err != nil {
			t.Errorf("%s: %v", doc, err)
			continue
		}
		want, err := stdDecode(doc)
		if err != nil {
			t.Fatalf("encoding/json rejects %s: %v", doc, err)
		}
		if !reflect.DeepEqual(toStd(got), want) {
			t.Errorf("%s: got %#v, want %#v", doc, toStd(got), want)
		}
		// Writing and reading again gives the same value.
		again, err := parseJSON(string(writeJSON(nil, got, "")))
		if err != nil || !reflect.DeepEqual(toStd(again), want) {
			t.Errorf("%s: round trip gave %#v, %v", doc, again, err)
		}
	}
}

func TestJSONRejects(t *testing.T) {
	for _, doc := range []string{``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `{"a":1,}`, `01`, `1.`, `"\x"`, "\"a\x01\"", `"abc`, `tru`, `{"a":1} x`, "\"\xff\"",
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`} {
		if _, err := parseJSON(doc); err == nil {
			t.Errorf("parseJSON(%q) accepted", doc)
		}
	}
}

func TestJSONStringEscaping(t *testing.T) {
	for _, s := range []string{"plain", "a\"b\\c", "\n\t\r\x01\x1f", "é ü 日本", "\u2028\u2029"} {
		var back string
		if err := json.Unmarshal(appendJSONString(nil, s), &back); err != nil || back != s {
			t.Errorf("%q: encoding/json read back %q, %v", s, back, err)
		}
	}
}
