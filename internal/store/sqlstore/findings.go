package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

var errTODO = errors.New("findings: not implemented yet")

type findings struct {
	t  *tx
	sc store.Scope
}

func (t *tx) Findings(sc store.Scope) store.FindingStore { return &findings{t: t, sc: sc} }

func (s *findings) Get(ctx context.Context, id model.FindingID) (model.Finding, error) {
	return model.Finding{}, errTODO
}
func (s *findings) ForResource(ctx context.Context, id model.ResourceID) ([]model.Finding, error) {
	return nil, errTODO
}
func (s *findings) Put(ctx context.Context, fs ...model.Finding) error { return errTODO }
func (s *findings) Touch(ctx context.Context, ids []model.FindingID, at time.Time, scanID, snapshotID string) error {
	return errTODO
}
func (s *findings) List(ctx context.Context, f model.FindingFilter, sort store.FindingSort, cursor string, limit int) ([]model.Finding, string, error) {
	return nil, "", errTODO
}
func (s *findings) Count(ctx context.Context, f model.FindingFilter) (int, error) { return 0, errTODO }
func (s *findings) Aggregate(ctx context.Context, by model.AggregationType, f model.FindingFilter, limit int) ([]model.FindingAggregate, error) {
	return nil, errTODO
}
func (s *findings) Purge(ctx context.Context, closedBefore time.Time) (int, error) { return 0, errTODO }

type rules struct {
	t  *tx
	sc store.Scope
}

func (t *tx) SuppressionRules(sc store.Scope) store.SuppressionRuleStore { return &rules{t: t, sc: sc} }

func (s *rules) Create(ctx context.Context, r model.SuppressionRule) (model.SuppressionRule, error) {
	return r, errTODO
}
func (s *rules) Get(ctx context.Context, id model.SuppressionRuleID) (model.SuppressionRule, error) {
	return model.SuppressionRule{}, errTODO
}
func (s *rules) Update(ctx context.Context, r model.SuppressionRule) (model.SuppressionRule, error) {
	return r, errTODO
}
func (s *rules) Delete(ctx context.Context, id model.SuppressionRuleID) error { return errTODO }
func (s *rules) List(ctx context.Context, after model.SuppressionRuleID, limit int) ([]model.SuppressionRule, error) {
	return nil, errTODO
}
