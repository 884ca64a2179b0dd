package index_test

import (
	"context"
	"fmt"

	"github.com/vigilsec/vigil/internal/index"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/source"
)

// Index a directory of lockfiles; images and function zips work the same
// way through source.OpenImage and source.OpenFunction.
func ExampleIndex() {
	ctx := context.Background()
	d, err := source.OpenDir("../../../shared/testdata/pkgdb/cargo", model.TargetFS)
	if err != nil {
		fmt.Println(err)
		return
	}
	inv, err := index.Index(ctx, d, index.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Packages[0].Ecosystem, inv.Partial)
	// Output: crates.io false
}
