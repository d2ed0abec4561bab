package conversation

import (
	"strings"
	"testing"
)

func TestMessageSearchText(t *testing.T) {
	msg := `{"role":"user","content":[` +
		`{"type":"text","text":"run \"make test\" && echo <done>","cache_control":{"type":"ephemeral"}},` +
		`{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"PASS\nok nexus"}]},` +
		`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgoAAAANSUhEUg"}}]}`
	got := MessageSearchText([]byte(msg))
	for _, want := range []string{`run "make test" && echo <done>`, "PASS\nok nexus"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	for _, structure := range []string{"role", "user", "type", "text", "ephemeral", "toolu_1", "image/png", "iVBORw0", "{"} {
		if strings.Contains(got, structure) {
			t.Errorf("%q holds %q, which is structure or data, not text", got, structure)
		}
	}
	if got := MessageSearchText([]byte(`{"role":"user","content":"plain \u0026 escaped"}`)); got != "plain & escaped\n" {
		t.Errorf("string content: %q", got)
	}
}

func TestResponseSearchText(t *testing.T) {
	answer := `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[` +
		`{"type":"text","text":"Running the tests."},` +
		`{"type":"tool_use","id":"toolu_2","name":"Bash","input":{"command":"go test ./...","timeout":60}}],` +
		`"usage":{"input_tokens":5,"output_tokens":1}}`
	stream := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Running the \"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"tests.\"}}\n\n" +
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	for name, body := range map[string]string{"JSON": answer, "stream": stream} {
		got := ResponseSearchText([]byte(body))
		if !strings.Contains(got, "Running the tests.") {
			t.Errorf("%s: %q lacks the text, whole across deltas", name, got)
		}
		if strings.Contains(got, "msg_") || strings.Contains(got, "assistant") {
			t.Errorf("%s: %q holds structure", name, got)
		}
	}
	if got := ResponseSearchText([]byte(answer)); !strings.Contains(got, "Bash") || !strings.Contains(got, "go test ./...") {
		t.Errorf("tool call: %q", got)
	}
}
