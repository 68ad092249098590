package trie

import (
	"fmt"
	"testing"
)

func BenchmarkMatch100kTopics(b *testing.B) {
	var tr Trie
	for i := range 100000 {
		tr.Add(fmt.Appendf(nil, "topic.%d.%d", i%100, i))
	}
	hit := []byte("topic.42.4242 and the rest of a 64 byte message body padding....")
	miss := []byte("topic.42.x and the rest of a 64 byte message body padding.......")
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !tr.Match(hit) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if tr.Match(miss) {
				b.Fatal("match")
			}
		}
	})
}

func BenchmarkAddRemove(b *testing.B) {
	var tr Trie
	topics := make([][]byte, 1000)
	for i := range topics {
		topics[i] = fmt.Appendf(nil, "topic.%d.%d", i%10, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, topic := range topics {
			tr.Add(topic)
		}
		for _, topic := range topics {
			tr.Remove(topic)
		}
	}
}
