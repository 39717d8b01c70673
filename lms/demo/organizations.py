"""Build the demo organization tree with treebeard's own API (a couple of hundred nodes).

Nodes are found by their stable code; missing ones are appended under their parent (in name
order on a fresh database, so the tree reads in name order)."""

from lms.people.models import Organization


def ensure_organizations(rows):
    """Create the organizations in `rows` (parent code, code, name, short name, type) that do not
    exist yet. Returns ({code: Organization}, number created)."""
    codes = [row[1] for row in rows]
    existing = set(Organization.objects.filter(code__in=codes).values_list("code", flat=True))
    depth = {}
    for parent_code, code, *_rest in rows:
        depth[code] = 1 if parent_code is None else depth[parent_code] + 1
    created = 0
    for parent_code, code, name, short_name, org_type in sorted(rows, key=lambda row: (depth[row[1]], row[2])):
        if code in existing:
            continue
        node = Organization(code=code, name=name, short_name=short_name, org_type=org_type)
        if parent_code is None:
            Organization.add_root(instance=node)
        else:
            Organization.objects.get(code=parent_code).add_child(instance=node)
        created += 1
    return {org.code: org for org in Organization.objects.filter(code__in=codes)}, created
