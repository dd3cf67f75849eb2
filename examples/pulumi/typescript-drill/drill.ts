// A game-day drill in TypeScript: one page to the on-call, run by the Automation API with an inline
// program (`node bin/drill.js up | preview | destroy`). Prints one JSON line with the outcome.
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as engagement from "@pulumi-engagement/engagement";

const contactId =
    process.env.DRILL_CONTACT_ID ?? "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall";

// The Pulumi program: what a `runtime: nodejs` project's index.ts would hold.
async function program() {
    const page = new engagement.Engagement("gameday-page", {
        contactId,
        sender: "gameday",
        subject: "Game day: checkout is down (drill)",
        content: "This is a drill. Acknowledge and join #gameday.",
        incidentId: "gameday-drill",
        stopReason: "game day over",
    });
    return { engagementArn: page.engagementArn, acknowledged: page.acknowledged, subject: page.subject };
}

async function main(action: string): Promise<void> {
    const stack = await LocalWorkspace.createOrSelectStack({
        projectName: "typescript-drill",
        stackName: process.env.DRILL_STACK ?? "dev",
        program,
    });
    // Unset, the plugin falls back to AWS_ENDPOINT_URL_SSM_CONTACTS and AWS_REGION, as the AWS CLI does.
    if (process.env.DRILL_ENDPOINT_URL) {
        await stack.setConfig("engagement:endpointUrl", { value: process.env.DRILL_ENDPOINT_URL });
    }
    const progress = { onOutput: (line: string) => process.stderr.write(line) };
    if (action === "up") {
        const result = await stack.up(progress);
        const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
        console.log(JSON.stringify({ outputs, changes: result.summary.resourceChanges }));
    } else if (action === "preview") {
        const result = await stack.preview(progress);
        console.log(JSON.stringify({ changes: result.changeSummary }));
    } else if (action === "destroy") {
        const result = await stack.destroy(progress);
        console.log(JSON.stringify({ changes: result.summary.resourceChanges }));
    } else {
        throw new Error(`unknown action ${action}: use up, preview or destroy`);
    }
}

main(process.argv[2] ?? "up").catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
