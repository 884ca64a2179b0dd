// Finding filters: the console keeps the API's own query parameters in the
// URL (#/findings?severity=CRITICAL&vulnerablePackageName.prefix=lod), so a
// view can be shared and the list is one GET away. toCriteria turns them
// into the FindingFilter a suppression rule stores.

export const STRING_FIELDS = ['accountId', 'findingId', 'findingStatus', 'findingType', 'severity', 'fixAvailable',
  'exploitAvailable', 'title', 'resourceId', 'resourceType', 'imageRepositoryName', 'imageTags', 'vulnerabilityId',
  'vulnerablePackageName', 'vulnerablePackageVersion', 'vulnerablePackageEcosystem', 'vulnerablePackageFilePath',
  'vulnerablePackageSourceLayerHash'];
export const NUMBER_FIELDS = ['vigilScore', 'cvssScore', 'epssScore'];
export const DATE_FIELDS = ['firstObservedAt', 'lastObservedAt', 'updatedAt'];

// PAGING are the list's own parameters, not criteria.
export const PAGING = ['sort', 'order', 'cursor', 'limit'];

const OPS = {'': 'EQUALS', prefix: 'PREFIX', not: 'NOT_EQUALS'};

// toCriteria converts query parameters to a FindingFilter, leaving out the
// keys in skip. Unknown keys throw, as the API would refuse them.
export function toCriteria(q, skip = []) {
  const f = {};
  const push = (k, v) => { (f[k] ||= []).push(v); };
  const ranges = {};
  for (const [key, value] of q.entries()) {
    if (PAGING.includes(key) || skip.includes(key) || value === '') continue;
    const [field, op = ''] = key.split('.', 2);
    if (key === 'filter') {
      for (const [k, vs] of Object.entries(JSON.parse(value))) for (const v of vs) push(k, v);
    } else if (STRING_FIELDS.includes(field) && op in OPS) {
      if (skip.includes(field)) continue;
      push(field, {comparison: OPS[op], value});
    } else if (NUMBER_FIELDS.includes(field) && (op === 'min' || op === 'max')) {
      ((ranges[field] ||= {})[op === 'min' ? 'lowerInclusive' : 'upperInclusive']) = Number(value);
    } else if (DATE_FIELDS.includes(field) && (op === 'start' || op === 'end')) {
      ((ranges[field] ||= {})[`${op}Inclusive`]) = value;
    } else if (key === 'resourceTags') {
      const i = value.indexOf('=');
      if (i <= 0) throw new Error(`resourceTags=${value}: want KEY=VALUE`);
      push('resourceTags', {comparison: 'EQUALS', key: value.slice(0, i), value: value.slice(i + 1)});
    } else {
      throw new Error(`unknown filter parameter ${key}`);
    }
  }
  for (const [k, r] of Object.entries(ranges)) push(k, r);
  return f;
}

// describe summarises a FindingFilter in words ("severity = CRITICAL; …").
export function describe(f) {
  const parts = [];
  for (const [k, vs] of Object.entries(f || {})) {
    const words = vs.map((v) => {
      if ('comparison' in v && 'key' in v) return `${v.key}=${v.value}`;
      if ('comparison' in v) return `${v.comparison === 'EQUALS' ? '' : v.comparison.toLowerCase() + ' '}${v.value}`;
      const lo = v.lowerInclusive ?? v.startInclusive;
      const hi = v.upperInclusive ?? v.endInclusive;
      return `${lo ?? '…'} to ${hi ?? '…'}`;
    });
    parts.push(`${k}: ${words.join(' or ')}`);
  }
  return parts.join('; ') || 'everything';
}
