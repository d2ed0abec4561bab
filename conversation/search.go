package conversation

import (
	"encoding/json"
	"strings"
)

// MessageSearchText is the text of one message (as a request sends it) that a text search
// looks in: its text blocks, the names and string values of tool inputs, tool results and
// documents' text, decoded, one per line. The JSON around them is not in it (a search for
// "role" or "type" must not match every message), nor the data of images and documents.
func MessageSearchText(message []byte) string {
	return contentSearchText(readMessage(message).Content)
}

// ResponseSearchText is MessageSearchText for the assistant message an answer holds (JSON or
// event stream).
func ResponseSearchText(response []byte) string {
	content, _ := readAnswer(response)
	return contentSearchText(content)
}

func contentSearchText(content apiContent) string {
	var b strings.Builder
	line := func(s string) {
		if s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	var walk func(apiContent)
	walk = func(c apiContent) {
		for i := range c {
			bl := &c[i]
			line(bl.Text)
			line(bl.Name)
			if len(bl.Input) > 0 {
				var input any
				if json.Unmarshal(bl.Input, &input) == nil {
					jsonStrings(input, line)
				}
			}
			walk(bl.Content)
			if bl.Source != nil {
				walk(bl.Source.Content)
			}
		}
	}
	walk(content)
	return b.String()
}

// jsonStrings calls f with every string value in v, a decoded JSON value.
func jsonStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			jsonStrings(e, f)
		}
	case map[string]any:
		for _, e := range v {
			jsonStrings(e, f)
		}
	}
}
