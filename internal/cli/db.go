package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDBCmd is replaced by the real command as its issue lands.
func newDBCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "db",
		Short: "(not built yet)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("vigil db is not built yet")
		},
	}
}
