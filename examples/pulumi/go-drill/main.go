// A game-day drill in Go: one page to the on-call, run by the Automation API with an inline program
// (`go-drill up | preview | destroy`). Prints one JSON line with the outcome.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/pulumi-engagement/pulumi-engagement/sdk/go/engagement"
)

func getenv(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// program is what a `runtime: go` project's main would hold.
func program(ctx *pulumi.Context) error {
	page, err := engagement.NewEngagement(ctx, "gameday-page", &engagement.EngagementArgs{
		ContactId:  pulumi.String(getenv("DRILL_CONTACT_ID", "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall")),
		Sender:     pulumi.String("gameday"),
		Subject:    pulumi.String("Game day: checkout is down (drill)"),
		Content:    pulumi.String("This is a drill. Acknowledge and join #gameday."),
		IncidentId: pulumi.String("gameday-drill"),
		StopReason: pulumi.String("game day over"),
	})
	if err != nil {
		return err
	}
	ctx.Export("engagementArn", page.EngagementArn)
	ctx.Export("acknowledged", page.Acknowledged)
	ctx.Export("subject", page.Subject)
	return nil
}

func run(ctx context.Context, action string) (any, error) {
	stack, err := auto.UpsertStackInlineSource(ctx, getenv("DRILL_STACK", "dev"), "go-drill", program)
	if err != nil {
		return nil, err
	}
	// Unset, the plugin falls back to AWS_ENDPOINT_URL_SSM_CONTACTS and AWS_REGION, as the AWS CLI does.
	if url := os.Getenv("DRILL_ENDPOINT_URL"); url != "" {
		if err := stack.SetConfig(ctx, "engagement:endpointUrl", auto.ConfigValue{Value: url}); err != nil {
			return nil, err
		}
	}
	switch action {
	case "up":
		res, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
		if err != nil {
			return nil, err
		}
		outputs := map[string]any{}
		for name, out := range res.Outputs {
			outputs[name] = out.Value
			if out.Secret {
				outputs[name] = "[secret]"
			}
		}
		return map[string]any{"outputs": outputs, "changes": res.Summary.ResourceChanges}, nil
	case "preview":
		res, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stderr))
		if err != nil {
			return nil, err
		}
		return map[string]any{"changes": res.ChangeSummary}, nil
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
		if err != nil {
			return nil, err
		}
		return map[string]any{"changes": res.Summary.ResourceChanges}, nil
	}
	return nil, fmt.Errorf("unknown action %q: use up, preview or destroy", action)
}

func main() {
	action := "up"
	if len(os.Args) > 1 {
		action = os.Args[1]
	}
	result, err := run(context.Background(), action)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
}
