package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// asffSchemaFile is built from the Security Hub API reference; see
// testdata/schemas/SOURCES.md.
const asffSchemaFile = "testdata/schemas/asff/asff-2018-10-08.schema.json"

var testASFF = ASFFOptions{AccountID: "123456789012", Region: "eu-west-1"}

func writeASFFSample(t *testing.T, rs ...*Report) []byte {
	t.Helper()
	if len(rs) == 0 {
		rs = []*Report{sampleReport(t)}
	}
	var buf bytes.Buffer
	if err := WriteASFF(&buf, rs, testASFF); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestASFFGolden(t *testing.T) {
	golden(t, "report.asff.json", writeASFFSample(t))
}

func TestASFFValidates(t *testing.T) {
	s := compileSchema(t, asffSchemaFile)
	r := sampleReport(t)
	out := writeASFFSample(t, r, sampleReport(t))
	validateJSON(t, s, out)
	var doc ASFFDocument
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	per := len(r.Findings) + len(r.Suppressed)
	if len(doc.Findings) != 2*per {
		t.Fatalf("%d findings, want %d", len(doc.Findings), 2*per)
	}
	ids := map[string]bool{}
	for _, f := range doc.Findings[:per] {
		if ids[f.ID] {
			t.Errorf("duplicate Id %s", f.ID)
		}
		ids[f.ID] = true
	}
	got := map[string]string{}
	for _, f := range doc.Findings[:per] {
		got[f.Vulnerabilities[0].ID] = f.Severity.Label + " " + f.Workflow.Status + " fix=" + f.Vulnerabilities[0].FixAvailable +
			" exploit=" + f.Vulnerabilities[0].ExploitAvailable
	}
	want := map[string]string{
		"CVE-2021-44906": "CRITICAL NEW fix=YES exploit=NO",
		"CVE-2021-23337": "HIGH NEW fix=YES exploit=NO",
		"CVE-2023-5678":  "LOW NEW fix=YES exploit=NO",
		"CVE-2024-2511":  "INFORMATIONAL NEW fix=NO exploit=NO",
		"CVE-2020-8203":  "HIGH SUPPRESSED fix=YES exploit=YES",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	f := doc.Findings[0]
	if f.ProductArn != "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default" {
		t.Errorf("ProductArn %s", f.ProductArn)
	}
}

func TestASFFSchemaCanFail(t *testing.T) {
	s := compileSchema(t, asffSchemaFile)
	out := writeASFFSample(t)
	validateJSON(t, s, out)
	first := func(m map[string]any) map[string]any { return m["Findings"].([]any)[0].(map[string]any) }
	for _, tc := range []struct {
		name   string
		mutate func(f map[string]any)
		want   string
	}{
		{"no ProductArn", func(f map[string]any) { delete(f, "ProductArn") }, "ProductArn"},
		{"bad schema version", func(f map[string]any) { f["SchemaVersion"] = "2019-01-01" }, "SchemaVersion"},
		{"short account", func(f map[string]any) { f["AwsAccountId"] = "1234" }, "AwsAccountId"},
		{"long description", func(f map[string]any) { f["Description"] = strings.Repeat("d", 1025) }, "Description"},
		{"blank title", func(f map[string]any) { f["Title"] = "   " }, "Title"},
		{"bad label", func(f map[string]any) { f["Severity"].(map[string]any)["Label"] = "SEVERE" }, "Label"},
		{"no resources", func(f map[string]any) { f["Resources"] = []any{} }, "Resources"},
		{"bad timestamp", func(f map[string]any) { f["CreatedAt"] = "2026-11-27 08:00:00" }, "CreatedAt"},
		{"unknown member", func(f map[string]any) { f["Score"] = 9.8 }, "Score"},
		{"bad fix value", func(f map[string]any) {
			f["Vulnerabilities"].([]any)[0].(map[string]any)["FixAvailable"] = "MAYBE"
		}, "FixAvailable"},
		{"EPSS above 1", func(f map[string]any) {
			f["Vulnerabilities"].([]any)[0].(map[string]any)["EpssScore"] = 3
		}, "EpssScore"},
		{"workflow", func(f map[string]any) { f["Workflow"].(map[string]any)["Status"] = "OPEN" }, "Status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := decodeMap(t, out)
			tc.mutate(first(m))
			mustReject(t, s, m, tc.want)
		})
	}
}

func TestASFFOptions(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if diff := cmp.Diff(ASFFOptions{AccountID: DefaultASFFAccountID, Region: DefaultASFFRegion}, ASFFOptionsFromEnv(getenv)); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	env["VIGIL_AWS_ACCOUNT_ID"] = "111122223333"
	env["VIGIL_AWS_REGION"] = "ap-southeast-2"
	env["VIGIL_ASFF_PRODUCT_ARN"] = "arn:aws:securityhub:ap-southeast-2:111122223333:product/acme/vigil"
	o := ASFFOptionsFromEnv(getenv)
	fs, err := ASFFFindings([]*Report{sampleReport(t)}, o)
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].ProductArn != env["VIGIL_ASFF_PRODUCT_ARN"] || fs[0].AwsAccountID != "111122223333" || fs[0].Region != "ap-southeast-2" {
		t.Errorf("options not applied: %s %s %s", fs[0].ProductArn, fs[0].AwsAccountID, fs[0].Region)
	}
	for _, tc := range []struct {
		o     ASFFOptions
		field string
	}{
		{ASFFOptions{AccountID: "12", Region: "us-east-1"}, "VIGIL_AWS_ACCOUNT_ID"},
		{ASFFOptions{AccountID: "123456789012", Region: "mars"}, "VIGIL_AWS_REGION"},
		{ASFFOptions{AccountID: "123456789012", Region: "us-east-1", ProductArn: "arn:aws:s3:::bucket"}, "VIGIL_ASFF_PRODUCT_ARN"},
	} {
		_, err := ASFFFindings([]*Report{sampleReport(t)}, tc.o)
		var ce *ASFFConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%+v: error %v, want an *ASFFConfigError on %s", tc.o, err, tc.field)
		}
	}
}

func TestASFFWriteUsesEnv(t *testing.T) {
	t.Setenv("VIGIL_AWS_ACCOUNT_ID", "999988887777")
	t.Setenv("VIGIL_AWS_REGION", "us-west-2")
	t.Setenv("VIGIL_ASFF_PRODUCT_ARN", "")
	var buf bytes.Buffer
	if err := Write(&buf, FormatASFF, []*Report{sampleReport(t)}, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"ProductArn": "arn:aws:securityhub:us-west-2:999988887777:product/999988887777/default"`) {
		t.Errorf("Write(asff) ignored the environment:\n%.600s", buf.String())
	}
	if f, err := ParseFormat("ASFF"); err != nil || f != FormatASFF {
		t.Errorf("ParseFormat(ASFF) = %q, %v", f, err)
	}
}

func TestASFFTruncates(t *testing.T) {
	r := sampleReport(t)
	r.Findings[0].Vulnerability.Description = strings.Repeat("é", 2000)
	r.Findings[0].Title = strings.Repeat("t", 300)
	fs, err := ASFFFindings([]*Report{r}, testASFF)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(fs[0].Description)); n != 1024 || !strings.HasSuffix(fs[0].Description, "…") {
		t.Errorf("Description has %d characters", n)
	}
	if n := len([]rune(fs[0].Title)); n != 256 {
		t.Errorf("Title has %d characters", n)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(ASFFDocument{Findings: fs}); err != nil {
		t.Fatal(err)
	}
	validateJSON(t, compileSchema(t, asffSchemaFile), buf.Bytes())
}

func TestASFFEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteASFF(&buf, nil, testASFF); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != "{\n  \"Findings\": []\n}" {
		t.Errorf("empty document %q", got)
	}
}
