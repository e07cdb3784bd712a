# tflint configuration for the synthesized stacks (cdktf.out/stacks/*/cdk.tf.json), used by the
# gate's tflint step. Only the bundled terraform ruleset: it needs no plugin download, so the
# step behaves the same on a laptop and in CI.
config {
  format = "compact"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}
