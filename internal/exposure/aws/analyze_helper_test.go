package aws

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/exposure"
)

func analyze(t *testing.T, imp *Import) *exposure.Result {
	t.Helper()
	res, err := exposure.Analyze(context.Background(), imp.Model, exposure.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
