// Auteur Canvas: show a node's text outputs (executed `output.text`) on the node, as ComfyUI's
// own PreviewAny node does, for every output node of our catalog (core.show and the like).
const { app } = window.comfyAPI.app;
const { addTextPreviewWidgets, updateTextPreviewWidgets } = window.comfyAPI.textPreviewWidgets;

app.registerExtension({
  name: "Auteur.TextOutputs",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (!nodeData.output_node) return;
    const created = nodeType.prototype.onNodeCreated;
    nodeType.prototype.onNodeCreated = function () {
      created?.apply(this, []);
      addTextPreviewWidgets(this);
    };
    const executed = nodeType.prototype.onExecuted;
    nodeType.prototype.onExecuted = function (output) {
      executed?.apply(this, [output]);
      if (output?.text) updateTextPreviewWidgets(this, output);
    };
  },
});
