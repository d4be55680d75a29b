"""Small synthetic specs for the tests; invented, they encode no official model."""

from maturity.loaders import load_yaml

CMMM_YAML = """
code: toy-cmmm
name: 玩具成熟度模型
version: "1"
status: provisional
note: 合成测试模型
levels:
  - {number: 1, name: 一级}
  - {number: 2, name: 二级}
  - {number: 3, name: 三级}
nodes:
  - code: P
    name: 人员
    children:
      - code: P1
        name: 组织
        items:
          - {code: P1-1, name: 规划, kind: graded, level: 1}
          - {code: P1-2, name: 制度, kind: graded, level: 2}
          - {code: P1-3, name: 集成, kind: graded, level: 3, not_applicable_allowed: true}
  - code: M
    name: 制造
    children:
      - code: M1
        name: 生产
        items:
          - {code: M1-1, name: 记录, kind: graded, level: 1}
          - {code: M1-2, name: 系统, kind: graded, level: 2}
          - {code: M1-3, name: 协同, kind: graded, level: 3}
      - code: M2
        name: 流程工艺
        applies_to: {production_types: [process]}
        items:
          - {code: M2-1, name: 配方, kind: graded, level: 1}
rule:
  type: cmmm_cumulative
  bands:
    - {min: 0.8, max: 1.8, level: 1}
    - {min: 1.8, max: 2.8, level: 2}
    - {min: 2.8, max: 3, max_inclusive: true, level: 3}
"""

BANDS_YAML = """
code: toy-sme
name: 玩具数字化水平
version: "2022"
status: official
levels:
  - {number: 1, name: 一级}
  - {number: 2, name: 二级}
nodes:
  - code: B
    name: 基础
    weight: 3
    items:
      - code: net
        name: 网络
        kind: multi_select
        cap: 4
        options: [{code: a, points: 2}, {code: b, points: 2}, {code: c, points: 2}]
      - code: rate
        name: 联网率
        kind: numeric_bands
        unit: "%"
        bands:
          - {lo: 0, hi: 10, hi_closed: true, points: 0}
          - {lo: 10, hi: 50, lo_closed: false, hi_closed: true, points: 3}
          - {lo: 50, hi: 100, lo_closed: false, hi_closed: true, points: 6}
  - code: G
    name: 管理
    weight: 1
    items:
      - code: plan
        name: 规划
        kind: single_choice
        options: [{code: none, points: 0}, {code: some, points: 3}, {code: full, points: 6}]
      - {code: zero, name: 零权重, kind: graded, weight: 0}
      - {code: file, name: 证明材料, kind: evidence_file}
      - {code: text, name: 说明, kind: evidence_text}
      - {code: gate, name: 无重大事故, kind: prerequisite, level: 2}
rule:
  type: score_bands
  scale_max: 100
  bands:
    - {min: 20, max: 60, level: 1}
    - {min: 60, level: 2}
"""

SCENES_YAML = """
code: toy-sme24
name: 玩具场景模型
version: "2024"
status: provisional
levels:
  - {number: 1, name: 一级}
  - {number: 2, name: 二级}
nodes:
  - code: S
    name: 计分
    items:
      - {code: q, name: 问题, kind: single_choice, options: [{code: x, points: 0}, {code: y, points: 10}]}
  - code: C
    name: 场景
    items:
      - {code: s1, name: 场景一, kind: scene}
      - {code: s2, name: 场景二, kind: scene}
      - {code: s3, name: 场景三, kind: scene}
rule:
  type: score_and_scene_counts
  status: provisional
  note: 规则未经核实
  requirements:
    - {level: 1, min_score: 0, scene_level: 1, min_scenes: 1}
    - {level: 2, min_score: 50, scene_level: 2, min_scenes: 2}
"""

CAPPED_YAML = """
code: toy-ai
name: 玩具人工智能水平
version: "1"
status: provisional
note: 合成测试模型
below_level_name: L0
levels:
  - {number: 1, name: L1}
  - {number: 2, name: L2}
  - {number: 3, name: L3}
  - {number: 4, name: L4}
nodes:
  - code: A
    name: 应用
    items:
      - {code: s1, name: 场景一, kind: scene, min_grade: 0, max_grade: 4, not_applicable_allowed: true}
      - {code: s2, name: 场景二, kind: scene, min_grade: 0, max_grade: 4}
  - code: F
    name: 基础
    items:
      - code: f1
        name: 战略
        kind: single_choice
        options: [{code: "0", points: 0}, {code: "2", points: 2}, {code: "4", points: 4}]
      - code: gov
        name: 治理
        kind: single_choice
        options:
          - {code: "0", points: 0}
          - {code: "1", points: 1}
          - {code: "2", points: 2}
          - {code: "3", points: 3}
          - {code: "4", points: 4}
rule:
  type: capped_bands
  scale_max: 4
  bands:
    - {min: 1, max: 2, level: 1}
    - {min: 2, max: 3, level: 2}
    - {min: 3, max: 4, level: 3}
    - {min: 4, level: 4}
  caps: [gov]
"""


def cmmm():
    return load_yaml(CMMM_YAML)


def bands():
    return load_yaml(BANDS_YAML)


def scenes():
    return load_yaml(SCENES_YAML)


def capped():
    return load_yaml(CAPPED_YAML)
