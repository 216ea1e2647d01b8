-- The figures of `pathway evaluate`, computed again by DuckDB from the pseudonymised export.
--
-- Make the three export files (in the caseload):
--   pathway export --pseudonymise --rows learners -o exports/learners.csv
--   pathway export --pseudonymise --rows goals    -o exports/goals.csv
--   pathway export --pseudonymise --rows reviews  -o exports/reviews.csv
-- set the period and the caseload's thresholds below, and run from the folder that holds
-- exports/:  duckdb -box < docs/evaluate.sql
-- Every query returns the columns figure, grp, numerator, denominator, median, q1, q3,
-- the same numbers `pathway evaluate --format json` prints for the group "all".
-- A region reads the exports of many teams at once: replace 'exports/learners.csv' by
-- 'exports/*/learners.csv' (and so on) and add union_by_name = true; pseudonyms are keyed
-- per caseload, so the same id never stands for two learners.
-- The queries keep to what Spark SQL (3.4 and later) knows by the same name:
-- percentile_cont ... WITHIN GROUP, FILTER, max_by/min_by, split/array_contains, VALUES,
-- GROUPING SETS, date + days. For Spark, make the three views from spark.read.csv(...),
-- write the variables as literals (getvariable and read_csv are DuckDB's) and the unit of
-- datediff as DAY, without quotes.

SET VARIABLE period_from = DATE '2026-01-12';   -- --from
SET VARIABLE period_to = DATE '2026-11-23';     -- --to
SET VARIABLE today = DATE '2026-11-23';         -- --today: the workload is about today
SET VARIABLE review_grace_days = 7;             -- pathway.yaml risk.review_grace_days
SET VARIABLE no_plan_days = 28;                 -- pathway.yaml risk.no_plan_days
SET VARIABLE cohort = NULL;                     -- one school year, e.g. '2026/27' (--by cohort)

-- Every consented learner as of the period's end: a closing, an assessment, a plan or a
-- contract dated after it has not happened yet.
CREATE OR REPLACE TEMP VIEW learner AS
SELECT
    learner,
    CAST(opened AS DATE) AS opened,
    CASE WHEN status IN ('completed', 'left')
              AND CAST(closed AS DATE) <= getvariable('period_to')
         THEN CAST(closed AS DATE) END AS closed,
    status,
    outcome,
    key_worker,
    team_roles,
    cohort,
    CAST(red_alerts AS INTEGER) AS red_alerts,
    CAST(amber_alerts AS INTEGER) AS amber_alerts,
    CAST(next_review AS DATE) AS next_review,
    CASE WHEN CAST(assessed AS DATE) <= getvariable('period_to')
         THEN CAST(assessed AS DATE) END AS assessed,
    CASE WHEN CAST(plan_agreed AS DATE) <= getvariable('period_to')
         THEN CAST(plan_agreed AS DATE) END AS plan_agreed,
    CASE WHEN CAST(contract_in_force AS DATE) <= getvariable('period_to')
         THEN CAST(contract_in_force AS DATE) END AS contract_in_force,
    CASE WHEN CAST(plan_agreed AS DATE) <= getvariable('period_to')
         THEN CAST(first_review_due AS DATE) END AS first_review_due
FROM (
    -- The cohort: the school year (1 August to 31 July) the case was opened in.
    SELECT *, CAST(school_year AS STRING) || '/'
              || lpad(CAST((school_year + 1) % 100 AS STRING), 2, '0') AS cohort
    FROM (
        SELECT *, year(CAST(opened AS DATE))
                  - CASE WHEN month(CAST(opened AS DATE)) < 8 THEN 1 ELSE 0 END AS school_year
        FROM read_csv('exports/learners.csv', all_varchar = true)
    ) AS dated
) AS raw
WHERE consent_given = 'true'
  AND (getvariable('cohort') IS NULL OR cohort = getvariable('cohort'));

-- The cases open at any time in the period.
CREATE OR REPLACE TEMP VIEW cases AS
SELECT * FROM learner
WHERE opened <= getvariable('period_to')
  AND (closed IS NULL OR closed >= getvariable('period_from'));

-- Reviews held by the period's end, numbered in file order.
CREATE OR REPLACE TEMP VIEW review AS
SELECT
    r.learner,
    CAST(r.sequence AS INTEGER) AS seq,
    CAST(r.date AS DATE) AS held,
    r.kind,
    CAST(r.attendance AS DOUBLE) AS attendance,
    CAST(r.wellbeing AS INTEGER) AS wellbeing,
    CAST(r.next_review AS DATE) AS next_review
FROM read_csv('exports/reviews.csv', all_varchar = true) AS r
JOIN cases USING (learner)
WHERE CAST(r.date AS DATE) <= getvariable('period_to');

-- figure: closed
SELECT 'closed' AS figure, 'all' AS grp,
       count(*) FILTER (WHERE closed BETWEEN getvariable('period_from')
                                         AND getvariable('period_to')) AS numerator,
       count(*) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM cases;

-- figure: closed.completed, closed.left (the status a closed case ended with)
SELECT 'closed.' || s.status AS figure, 'all' AS grp,
       count(c.learner) FILTER (WHERE c.status = s.status) AS numerator,
       count(c.learner) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM (VALUES ('completed'), ('left')) AS s(status)
LEFT JOIN cases AS c
       ON c.closed BETWEEN getvariable('period_from') AND getvariable('period_to')
GROUP BY s.status;

-- figure: outcome.*
SELECT 'outcome.' || o.outcome AS figure, 'all' AS grp,
       count(c.learner) FILTER (WHERE coalesce(c.outcome, 'not-recorded') = o.outcome)
           AS numerator,
       count(c.learner) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM (VALUES ('completed'), ('transferred'), ('employed'), ('dropped-out'), ('re-engaged'),
             ('other'), ('not-recorded')) AS o(outcome)
LEFT JOIN cases AS c
       ON c.closed BETWEEN getvariable('period_from') AND getvariable('period_to')
GROUP BY o.outcome;

-- figure: retention.*
SELECT 'retention.' || d.days || 'd' AS figure, 'all' AS grp,
       count(c.learner) FILTER (WHERE NOT (c.status = 'left' AND c.closed IS NOT NULL
                                           AND c.closed < c.opened + d.days)) AS numerator,
       count(c.learner) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM (VALUES (90), (180), (365)) AS d(days)
LEFT JOIN cases AS c ON c.opened + d.days <= getvariable('period_to')
GROUP BY d.days;

-- figure: time.*
SELECT 'time.' || step AS figure, 'all' AS grp,
       count(days) AS numerator, count(*) AS denominator,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY days) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY days) AS q3
FROM (
    SELECT 'assessment' AS step, datediff('day', opened, assessed) AS days FROM cases
    UNION ALL
    SELECT 'plan', datediff('day', opened, plan_agreed) FROM cases
    UNION ALL
    SELECT 'contract', datediff('day', opened, contract_in_force) FROM cases
)
GROUP BY step;

-- figure: plan.on-time
SELECT 'plan.on-time' AS figure, 'all' AS grp,
       count(*) FILTER (WHERE datediff('day', opened, plan_agreed)
                              <= getvariable('no_plan_days')) AS numerator,
       count(*) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM cases
WHERE opened + getvariable('no_plan_days') <= getvariable('period_to');

-- figure: reviews.on-time
-- Each due date (the first: review_every_days after the plan; then each review's
-- next_review) is answered by the next review. It counts once its grace has passed by
-- the period's end and while the case was open.
WITH due AS (
    SELECT c.learner, c.closed, c.first_review_due AS due, r.held AS answered
    FROM cases AS c
    LEFT JOIN review AS r ON r.learner = c.learner AND r.seq = 1
    WHERE c.first_review_due IS NOT NULL
    UNION ALL
    SELECT c.learner, c.closed, r.next_review, n.held
    FROM review AS r
    JOIN cases AS c USING (learner)
    LEFT JOIN review AS n ON n.learner = r.learner AND n.seq = r.seq + 1
)
SELECT 'reviews.on-time' AS figure, 'all' AS grp,
       count(*) FILTER (WHERE answered <= due + getvariable('review_grace_days'))
           AS numerator,
       count(*) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM due
WHERE due >= getvariable('period_from')
  AND due + getvariable('review_grace_days') <= getvariable('period_to')
  AND (closed IS NULL OR due < closed);

-- figure: goals.*
WITH goal AS (
    SELECT g.area, g.status, CAST(g.due AS DATE) AS due
    FROM read_csv('exports/goals.csv', all_varchar = true) AS g
    JOIN cases AS c USING (learner)
    WHERE c.plan_agreed IS NOT NULL
),
areas AS (
    SELECT * FROM (VALUES ('learning'), ('career'), ('wellbeing'), ('attendance'),
                          ('basic-skills'), ('social'), ('all')) AS a(area)
),
measures AS (SELECT * FROM (VALUES ('achieved'), ('dropped'), ('overdue')) AS m(what))
SELECT 'goals.' || a.area || '.' || m.what AS figure, 'all' AS grp,
       count(g.status) FILTER (WHERE CASE m.what
           WHEN 'achieved' THEN g.status = 'achieved'
           WHEN 'dropped' THEN g.status = 'dropped'
           ELSE g.status IN ('planned', 'in-progress', 'at-risk')
                AND g.due < getvariable('period_to') END) AS numerator,
       count(g.status) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM areas AS a
CROSS JOIN measures AS m
LEFT JOIN goal AS g ON a.area IN ('all', g.area)
GROUP BY a.area, m.what;

-- figure: attendance.* and wellbeing.*
-- The change from the first to the latest review that recorded the value (attendance in
-- percentage points), for learners with two such reviews.
WITH readings AS (
    SELECT learner, 'attendance' AS measure, seq, attendance * 1.0 AS value
    FROM review WHERE attendance IS NOT NULL
    UNION ALL
    SELECT learner, 'wellbeing', seq, wellbeing * 1.0 FROM review WHERE wellbeing IS NOT NULL
),
change AS (
    SELECT measure, learner, max_by(value, seq) - min_by(value, seq) AS delta
    FROM readings GROUP BY measure, learner HAVING count(*) >= 2
),
shown AS (  -- attendance in percentage points
    SELECT measure, learner, delta,
           CASE measure WHEN 'attendance' THEN delta * 100 ELSE delta END AS points
    FROM change
),
measures AS (SELECT * FROM (VALUES ('attendance'), ('wellbeing')) AS m(measure))
SELECT m.measure || '.change' AS figure, 'all' AS grp,
       count(ch.delta) AS numerator, (SELECT count(*) FROM cases) AS denominator,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ch.points) AS median,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY ch.points) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY ch.points) AS q3
FROM measures AS m LEFT JOIN shown AS ch USING (measure)
GROUP BY m.measure
UNION ALL
SELECT m.measure || '.' || w.what, 'all',
       count(ch.delta) FILTER (WHERE CASE w.what WHEN 'improved' THEN ch.delta > 0
                                                 WHEN 'held' THEN ch.delta = 0
                                                 ELSE ch.delta < 0 END),
       count(ch.delta), NULL, NULL, NULL
FROM measures AS m
CROSS JOIN (VALUES ('improved'), ('held'), ('fell')) AS w(what)
LEFT JOIN change AS ch USING (measure)
GROUP BY m.measure, w.what;

-- figure: mentoring.coverage
SELECT 'mentoring.coverage' AS figure, 'all' AS grp,
       count(*) FILTER (WHERE array_contains(split(team_roles, ';'), 'mentor')
                           OR array_contains(split(team_roles, ';'), 'peer-mentor'))
           AS numerator,
       count(*) AS denominator, NULL AS median, NULL AS q1, NULL AS q3
FROM cases;

-- figure: mentoring.length
-- Days from the first mentoring session to the closing, or to the period's end.
WITH mentored AS (
    SELECT c.learner, c.closed,
           (SELECT min(held) FROM review AS r
            WHERE r.learner = c.learner AND r.kind = 'mentoring') AS first_session
    FROM cases AS c
    WHERE array_contains(split(c.team_roles, ';'), 'mentor')
       OR array_contains(split(c.team_roles, ';'), 'peer-mentor')
),
length AS (
    SELECT datediff('day', first_session,
                     least(coalesce(closed, getvariable('period_to')),
                           getvariable('period_to'))) AS days
    FROM mentored
)
SELECT 'mentoring.length' AS figure, 'all' AS grp,
       count(days) AS numerator, count(*) AS denominator,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY days) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY days) AS q3
FROM length;

-- figure: workload.*
-- Today's workload, whatever the period: every consented learner, by key worker and in
-- all (grp 'all'). Alerts and next_review are as of the export's --today.
WITH open_cases AS (
    SELECT coalesce(key_worker, '(none)') AS key_worker,
           status NOT IN ('completed', 'left') AS is_open, red_alerts, amber_alerts,
           next_review BETWEEN getvariable('today') AND getvariable('today') + 13 AS due_soon
    FROM learner
),
per_worker AS (
    SELECT coalesce(key_worker, 'all') AS grp,
           count(*) FILTER (WHERE is_open) AS open_count, count(*) AS total,
           sum(red_alerts) FILTER (WHERE is_open) AS red,
           sum(amber_alerts) FILTER (WHERE is_open) AS amber,
           count(*) FILTER (WHERE is_open AND due_soon) AS due
    FROM open_cases
    GROUP BY GROUPING SETS ((key_worker), ())
)
SELECT 'workload.open' AS figure, grp, open_count AS numerator, total AS denominator,
       NULL AS median, NULL AS q1, NULL AS q3 FROM per_worker
UNION ALL
SELECT 'workload.red-alerts', grp, coalesce(red, 0), open_count, NULL, NULL, NULL
FROM per_worker
UNION ALL
SELECT 'workload.amber-alerts', grp, coalesce(amber, 0), open_count, NULL, NULL, NULL
FROM per_worker
UNION ALL
SELECT 'workload.reviews-due', grp, due, open_count, NULL, NULL, NULL FROM per_worker;
