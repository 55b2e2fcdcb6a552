// The Kafka connector's public surface: the source and sink definitions and the client interface.
export { kafkaSource, KafkaSource } from './source.ts';
export { kafkaSink, KafkaSink } from './sink.ts';
export { kafkaSourceOptions, kafkaSourceSchema, type KafkaSourceConfig } from './config.ts';
export { kafkaSinkOptions, kafkaSinkSchema, type KafkaSinkConfig } from './sink-config.ts';
export type { KafkaClient, KafkaMessage, TopicPartition, PartitionBounds, FetchRange, LostRange, ProduceRecord } from './client.ts';
export { createKafkajsClient } from './kafkajs-client.ts';
