package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newSBOMCmd is replaced by the real command as its issue lands.
func newSBOMCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "sbom",
		Short: "(not built yet)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("vigil sbom is not built yet")
		},
	}
}
