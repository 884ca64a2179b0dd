package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newScanCmd is replaced by the real command as its issue lands.
func newScanCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "scan",
		Short: "(not built yet)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("vigil scan is not built yet")
		},
	}
}
