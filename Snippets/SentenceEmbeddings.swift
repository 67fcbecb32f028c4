// A pretrained encoder (all-MiniLM-L6-v2, from Scripts/fetch-encoder): tokens, hidden states, embeddings.
import Foundation
import Kindling

// snippet.hide
guard CommandLine.arguments.count == 2 else {
    print("usage: SentenceEmbeddings ENCODER-FOLDER (Scripts/fetch-encoder prints it)")
    exit(64)
}
let folder = URL(fileURLWithPath: CommandLine.arguments[1])
// snippet.show
let tokenizer = try WordPieceTokenizer(folder: folder)  // vocab.txt + tokenizer_config.json
print(tokenizer.tokenize("Héllo, unaffable world!"))  // ["hello", ",", "una", "##ffa", "##ble", "world", "!"]
let model = try BertModel<Float>.load(from: folder)  // config.json + model.safetensors, strict
let batch = tokenizer.encode(batch: ["A man is eating food.", "Hi"])  // [CLS] ... [SEP], padded, attention mask
let hidden = withoutGradient { model(batch) }  // last hidden state (2, 8, 384)
let embeddings = sentenceEmbeddings(
    ["A man is eating food.", "A man is eating a piece of bread."],
    model: model, tokenizer: tokenizer)  // mean over the mask, L2-normalized
print(hidden.shape, cosineSimilarities(embeddings, embeddings))  // 0.755 off the diagonal
