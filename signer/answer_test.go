package signer

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAnswer(t *testing.T) {
	jsonP := map[string]string{"format": "json"}
	jsonpP := map[string]string{"format": "json", "callback": "cb"}
	xmlP := map[string]string{}
	rawP := map[string]string{"raw": "true"}
	okXML := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<lfm status="ok"><artist><name>Cher</name></artist></lfm>`
	cases := []struct {
		name   string
		body   string
		params map[string]string
		want   error
	}{
		{"json object", `{"artist":{"name":"Cher"}}`, jsonP, nil},
		{"json empty object (track.love)", `{}`, jsonP, nil},
		{"json error", `{"error":6,"message":"x"}`, jsonP, nil},
		{"json with BOM", "\xef\xbb\xbf{\"a\":1}", jsonP, nil},
		{"json truncated", `{"artist":{"name":"Ch`, jsonP, ErrAnswerJSON},
		{"json array", `[{"artist":1}]`, jsonP, ErrAnswerJSON},
		{"json string", `"ok"`, jsonP, ErrAnswerJSON},
		{"json trailing garbage", `{"a":1} <html>`, jsonP, ErrAnswerJSON},
		{"html on json", `<html><body>Sign in to the Wi-Fi</body></html>`, jsonP, ErrAnswerJSON},
		{"empty", "", jsonP, ErrAnswerEmpty},
		{"blank", " \r\n", xmlP, ErrAnswerEmpty},
		{"jsonp", `cb({"a":1});`, jsonpP, nil},
		{"jsonp truncated", `cb({"a":1`, jsonpP, ErrAnswerJSONP},
		{"jsonp bare json", `{"a":1}`, jsonpP, ErrAnswerJSONP},
		{"xml ok", okXML, xmlP, nil},
		{"xml failed", `<lfm status="failed"><error code="6">x</error></lfm>`, xmlP, nil},
		{"xml empty lfm", `<lfm status="ok"></lfm>`, xmlP, nil},
		{"xml truncated", okXML[:len(okXML)-10], xmlP, ErrAnswerXML},
		{"xml mismatched", `<lfm status="ok"><a></b></lfm>`, xmlP, ErrAnswerXML},
		{"xml no status", `<lfm><a/></lfm>`, xmlP, ErrAnswerXML},
		{"xml other root", `<html><body>portal</body></html>`, xmlP, ErrAnswerXML},
		{"html doctype", "<!DOCTYPE html>\n<html><head><title>Login</title></head><body>&nbsp;</body></html>", xmlP, ErrAnswerXML},
		{"xml two roots", `<lfm status="ok"></lfm><lfm status="ok"></lfm>`, xmlP, ErrAnswerXML},
		{"xml text after", `<lfm status="ok"></lfm>garbage`, xmlP, ErrAnswerXML},
		{"json on xml", `{"a":1}`, xmlP, ErrAnswerXML},
		{"raw any root", `<?xml version="1.0"?><artist><name>Cher</name></artist>`, rawP, nil},
		{"raw truncated", `<artist><name>Cher</name>`, rawP, ErrAnswerXML},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckAnswer([]byte(c.body), c.params); !errors.Is(err, c.want) {
				t.Fatalf("CheckAnswer(%q) = %v, want %v", c.body, err, c.want)
			}
		})
	}
}

func FuzzCheckAnswer(f *testing.F) {
	for _, seed := range []string{`{"a":1}`, `cb({"a":1});`, `<lfm status="ok"></lfm>`, `<html>`, ``, `[1]`, `{"a":`} {
		f.Add([]byte(seed), "json", "")
		f.Add([]byte(seed), "", "cb")
	}
	f.Fuzz(func(t *testing.T, body []byte, format, callback string) {
		err := CheckAnswer(body, map[string]string{"format": format, "callback": callback})
		if err == nil && len(strings.TrimSpace(string(body))) == 0 {
			t.Fatalf("empty body accepted")
		}
	})
}
