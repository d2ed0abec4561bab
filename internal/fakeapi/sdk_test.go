package fakeapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"nexus/internal/fakeapi"
)

// TestOfficialSDK proves the fake is realistic enough for the official Go SDK.
func TestOfficialSDK(t *testing.T) {
	srv := start(t)
	client := anthropic.NewClient(
		option.WithBaseURL(srv.URL()),
		option.WithAPIKey("sk-ant-sdk-test"),
		option.WithMaxRetries(0),
	)
	ctx := context.Background()
	params := anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_6,
		MaxTokens: 1024,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello"))},
	}
	// lastUsage is the usage the fake derives for the last request's body.
	lastUsage := func(scenario string) fakeapi.Usage {
		recs := srv.Requests()
		return fakeapi.UsageFor(recs[len(recs)-1].Body, scenario)
	}

	t.Run("new", func(t *testing.T) {
		msg, err := client.Messages.New(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		want := lastUsage("")
		if len(msg.Content) != 1 || msg.Content[0].Type != "text" || msg.Content[0].Text == "" ||
			msg.StopReason != anthropic.StopReasonEndTurn || msg.Model != anthropic.ModelClaudeSonnet4_6 ||
			msg.Usage.InputTokens != want.InputTokens || msg.Usage.OutputTokens != want.OutputTokens ||
			msg.Usage.CacheCreation.Ephemeral1hInputTokens != want.CacheCreation.Ephemeral1hInputTokens {
			t.Errorf("message %s", msg.RawJSON())
		}
	})

	t.Run("stream", func(t *testing.T) {
		for _, scenario := range []string{"text", "tool_use"} {
			stream := client.Messages.NewStreaming(ctx, params, option.WithHeader(fakeapi.ScenarioHeader, scenario))
			var msg anthropic.Message
			for stream.Next() {
				if err := msg.Accumulate(stream.Current()); err != nil {
					t.Fatal(err)
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			want := lastUsage(scenario)
			if msg.Usage.OutputTokens != want.OutputTokens || msg.Usage.CacheReadInputTokens != want.CacheReadInputTokens ||
				msg.Usage.CacheCreationInputTokens != want.CacheCreationInputTokens || msg.Usage.InputTokens != want.InputTokens {
				t.Errorf("%s: accumulated usage %s, want %+v", scenario, msg.Usage.RawJSON(), want)
			}
			if scenario == "tool_use" {
				last := msg.Content[len(msg.Content)-1]
				if msg.StopReason != anthropic.StopReasonToolUse || last.Type != "tool_use" || last.Name != "get_weather" ||
					string(last.Input) != `{"location":"San Francisco, CA","unit":"celsius"}` {
					t.Errorf("tool_use message %s", msg.RawJSON())
				}
			} else if msg.Content[0].Text != "Hello from the fake Anthropic API. How can I help you today?" {
				t.Errorf("streamed text %q", msg.Content[0].Text)
			}
		}
	})

	t.Run("midstream error", func(t *testing.T) {
		stream := client.Messages.NewStreaming(ctx, params, option.WithHeader(fakeapi.ScenarioHeader, "midstream_error"))
		for stream.Next() {
		}
		var apiErr *anthropic.Error
		if err := stream.Err(); !errors.As(err, &apiErr) || apiErr.Type() != "overloaded_error" {
			t.Errorf("stream error %v", err)
		}
	})

	t.Run("count tokens", func(t *testing.T) {
		count, err := client.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{
			Model:    anthropic.ModelClaudeSonnet4_6,
			Messages: params.Messages,
		})
		if err != nil {
			t.Fatal(err)
		}
		recs := srv.Requests()
		if want := int64(recs[len(recs)-1].BodyLen / 4); count.InputTokens != want {
			t.Errorf("input tokens %d, want %d", count.InputTokens, want)
		}
	})

	t.Run("models", func(t *testing.T) {
		page, err := client.Models.List(ctx, anthropic.ModelListParams{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Data) == 0 || page.HasMore || page.Data[0].DisplayName == "" || page.Data[0].CreatedAt.IsZero() {
			t.Fatalf("models page %s", page.RawJSON())
		}
		m, err := client.Models.Get(ctx, page.Data[0].ID, anthropic.ModelGetParams{})
		if err != nil || m.ID != page.Data[0].ID {
			t.Errorf("get: %v %v", m, err)
		}
	})

	t.Run("529", func(t *testing.T) {
		_, err := client.Messages.New(ctx, params, option.WithHeader(fakeapi.ScenarioHeader, "error:529"))
		var apiErr *anthropic.Error
		if !errors.As(err, &apiErr) {
			t.Fatalf("error %T %v, want *anthropic.Error", err, err)
		}
		if apiErr.StatusCode != 529 || apiErr.Type() != "overloaded_error" || apiErr.RequestID == "" {
			t.Errorf("status %d, type %q, request id %q", apiErr.StatusCode, apiErr.Type(), apiErr.RequestID)
		}
	})

	t.Run("retries", func(t *testing.T) {
		fast := http.Header{"Retry-After-Ms": {"10"}} // keeps the SDK's backoff short
		srv.Enqueue(fakeapi.Reply{Scenario: "error:529", Header: fast}, fakeapi.Reply{Scenario: "error:529", Header: fast})
		before := srv.Count()
		msg, err := client.Messages.New(ctx, params, option.WithMaxRetries(2))
		if err != nil || msg.Content[0].Text == "" {
			t.Fatalf("after retries: %v", err)
		}
		if n := srv.Count() - before; n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
}
