"""The GitOps room: what mpr does for a Git-hosted workflow, apart from the command line.

Where an apply comes from (`gitinfo`: commit, actor, run, revisions), the GitHub REST client
and the runner's files (`github`), handing a plan to a pipeline (`publish`: the comment file,
step outputs, the job summary) and the workflow steps behind `mpr github` (`pullrequest`:
the plan comment and its label, the drift issue, the reviewed digest).

Like the engine it returns values and raises errors from reconciler.errors; it never prints
and never imports click: `cli/` parses the options, calls in here and says what happened.
It sits above `render/` (a published plan is rendered Markdown) and is the one place besides
`wix/` and the emulator that speaks HTTP: to GitHub, never to Wix.
"""
